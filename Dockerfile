# One image for the api and the worker processes (docker-compose.yml picks the command).
# The console (web/) is built in a first stage, where Vite (a dev dependency) is installed.
FROM node:20-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY web ./web
COPY cli/build-web.ts ./cli/build-web.ts
RUN node --import tsx cli/build-web.ts

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY . .
COPY --from=console /app/web/dist ./web/dist
ENV NODE_ENV=production HOST=0.0.0.0
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/server.ts"]
