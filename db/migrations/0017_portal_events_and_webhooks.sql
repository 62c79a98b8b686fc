CREATE TABLE "portal_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"type" text NOT NULL,
	"stream" text NOT NULL,
	"subject_id" text NOT NULL,
	"subject_seq" integer NOT NULL,
	"campaign_id" uuid,
	"enterprise_id" uuid,
	"county_code" text,
	"department_code" text,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"payload" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"event_seq" bigint NOT NULL,
	"event_type" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_status_code" integer,
	"last_error" text,
	"latency_ms" integer,
	"first_attempt_at" timestamp (3) with time zone,
	"last_attempt_at" timestamp (3) with time zone,
	"delivered_at" timestamp (3) with time zone,
	"replays" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_deliveries_endpoint_event_uq" UNIQUE("endpoint_id","event_seq")
);
--> statement-breakpoint
CREATE TABLE "webhook_endpoints" (
	"id" uuid PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"description" text,
	"event_types" jsonb NOT NULL,
	"owner" jsonb NOT NULL,
	"owner_key_id" uuid,
	"contact_email" text,
	"secret" text NOT NULL,
	"previous_secret" text,
	"previous_secret_expires_at" timestamp (3) with time zone,
	"enabled" boolean DEFAULT true NOT NULL,
	"disabled_reason" text,
	"disabled_at" timestamp (3) with time zone,
	"start_xid" "xid8" NOT NULL,
	"start_seq" bigint NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_webhook_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."webhook_endpoints"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "portal_events_order_idx" ON "portal_events" USING btree ("xid","seq");--> statement-breakpoint
CREATE INDEX "portal_events_enterprise_idx" ON "portal_events" USING btree ("enterprise_id","xid","seq");--> statement-breakpoint
CREATE INDEX "portal_events_county_idx" ON "portal_events" USING btree ("county_code","xid","seq");--> statement-breakpoint
CREATE INDEX "portal_events_department_idx" ON "portal_events" USING btree ("department_code","xid","seq");--> statement-breakpoint
CREATE INDEX "webhook_endpoints_created_idx" ON "webhook_endpoints" USING btree ("created_at","id");--> statement-breakpoint
-- Every ledger event a portal may care about becomes a portal event in the writer's transaction.
-- Scope columns say who may see it (db/scope.ts): a hazard's and an order's enterprise, county and
-- department; a case's subject (an enterprise's id) and its scope county and department; a duty's
-- holder (a unit's code by its kind; a self-inspection's enterprise with its county and department;
-- a spot-check inspection's department only: inspections are unannounced). The payload is the
-- ledger's data when small (4 KiB), else { "truncated": true }: the record API has it whole.
CREATE OR REPLACE FUNCTION portal_event_payload(data jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN octet_length(data::text) <= 4096 THEN data ELSE '{"truncated": true}'::jsonb END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION portal_events_from_hazard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO portal_events (type, stream, subject_id, subject_seq, campaign_id, enterprise_id, county_code, department_code, occurred_at, payload)
  SELECT 'hazard.' || NEW.type, 'hazard', NEW.hazard_id::text, NEW.seq, h.campaign_id, h.enterprise_id, h.county_code, h.department_code, NEW.at,
    jsonb_build_object('hazardId', NEW.hazard_id, 'enterpriseId', h.enterprise_id, 'grade', h.grade, 'fromState', NEW.from_state, 'toState', NEW.to_state, 'actorRole', NEW.actor->>'role', 'data', portal_event_payload(NEW.data))
  FROM (SELECT 1) one LEFT JOIN hazards h ON h.id = NEW.hazard_id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER hazard_events_to_portal AFTER INSERT ON "hazard_events" FOR EACH ROW EXECUTE FUNCTION portal_events_from_hazard();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION portal_events_from_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO portal_events (type, stream, subject_id, subject_seq, campaign_id, enterprise_id, county_code, department_code, occurred_at, payload)
  SELECT 'order.' || NEW.type, 'order', NEW.order_id::text, NEW.seq, NULL, o.enterprise_id, o.county_code, o.department_code, NEW.at,
    jsonb_build_object('orderId', NEW.order_id, 'enterpriseId', o.enterprise_id, 'kind', o.kind, 'fromStatus', NEW.from_status, 'toStatus', NEW.to_status, 'actorRole', NEW.actor->>'role', 'data', portal_event_payload(NEW.data))
  FROM (SELECT 1) one LEFT JOIN orders o ON o.id = NEW.order_id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER order_events_to_portal AFTER INSERT ON "order_events" FOR EACH ROW EXECUTE FUNCTION portal_events_from_order();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION portal_events_from_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO portal_events (type, stream, subject_id, subject_seq, campaign_id, enterprise_id, county_code, department_code, occurred_at, payload)
  SELECT 'case.' || NEW.type, 'case', NEW.case_id::text, NEW.seq, c.campaign_id,
    CASE WHEN c.subject_kind = 'ENTERPRISE' AND c.subject_ref ~ '^[0-9a-fA-F-]{36}$' THEN c.subject_ref::uuid END,
    c.scope_county, c.scope_department, NEW.at,
    jsonb_build_object('caseId', NEW.case_id, 'subjectKind', c.subject_kind, 'subjectRef', c.subject_ref, 'rung', NEW.rung, 'status', NEW.status, 'actorRole', NEW.actor->>'role', 'data', portal_event_payload(NEW.data))
  FROM (SELECT 1) one LEFT JOIN cases c ON c.id = NEW.case_id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER case_events_to_portal AFTER INSERT ON "case_events" FOR EACH ROW EXECUTE FUNCTION portal_events_from_case();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION portal_events_from_duty() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  holder text := regexp_replace(NEW.obligation_id, '^[a-z-]+:[0-9a-fA-F-]{36}:', '');
  ent_id uuid;
  ent_county text;
  ent_department text;
  unit_kind text;
  scope_enterprise uuid;
  scope_county text;
  scope_department text;
BEGIN
  IF holder ~ '^[0-9a-fA-F-]{36}$' THEN
    SELECT e.id, e.county_code, e.department_code INTO ent_id, ent_county, ent_department FROM enterprises e WHERE e.id = holder::uuid;
  END IF;
  IF NEW.obligation_id LIKE 'self-inspection:%' THEN
    scope_enterprise := ent_id; scope_county := ent_county; scope_department := ent_department;
  ELSIF NEW.obligation_id LIKE 'inspection:%' THEN
    scope_department := ent_department;
  ELSE
    SELECT u.kind::text INTO unit_kind FROM units u WHERE u.code = holder;
    IF unit_kind = 'COUNTY' THEN scope_county := holder; ELSIF unit_kind = 'DEPARTMENT' THEN scope_department := holder; END IF;
  END IF;
  INSERT INTO portal_events (type, stream, subject_id, subject_seq, campaign_id, enterprise_id, county_code, department_code, occurred_at, payload)
  VALUES ('duty.' || NEW.type, 'duty', NEW.obligation_id || '/' || NEW.duty_key, NEW.seq, NEW.campaign_id, scope_enterprise, scope_county, scope_department, NEW.at,
    jsonb_build_object('campaignId', NEW.campaign_id, 'obligationId', NEW.obligation_id, 'dutyKey', NEW.duty_key, 'actorRole', NEW.actor->>'role', 'data', portal_event_payload(NEW.data)));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER duty_events_to_portal AFTER INSERT ON "duty_events" FOR EACH ROW EXECUTE FUNCTION portal_events_from_duty();
--> statement-breakpoint
-- Append-only: an event once written is what every feed reader and endpoint sees.
CREATE OR REPLACE FUNCTION portal_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'portal_events is append-only';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER portal_events_no_change BEFORE UPDATE OR DELETE ON "portal_events" FOR EACH ROW EXECUTE FUNCTION portal_events_append_only();
