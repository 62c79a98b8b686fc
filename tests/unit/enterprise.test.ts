import { describe, expect, it } from 'vitest';
import { creditCodeCheckChar, isValidCreditCode } from '../../domain/enterprise';

// GB 32100-2015: characters 0-9 then ABCDEFGHJKLMNPQRTUWXY (no I, O, S, V, Z) are worth 0..30;
// weights are 3^i mod 31; the check character is worth (31 - sum mod 31) mod 31.
//
// 91350100M000100Y4 -> 9*1 + 1*3 + 3*9 + 5*27 + 1*26 + M(21)*20 + 1*8 + Y(30)*30 + 4*28
//                    = 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640; 1640 mod 31 = 28; 31 - 28 = 3
// 91110000100006485 -> 9 + 3 + 9 + 27 + 1*20 + 6*24 + 4*10 + 8*30 + 5*28 = 632; 632 mod 31 = 12; 31 - 12 = 19 = K
// 00000000000000000 -> sum 0; (31 - 0) mod 31 = 0
// 10000000000000000 -> sum 1; 31 - 1 = 30 = Y
describe('creditCodeCheckChar', () => {
  it('computes the check character of real codes', () => {
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(creditCodeCheckChar('91110000100006485')).toBe('K');
  });

  it('wraps a remainder of zero to the character 0', () => {
    expect(creditCodeCheckChar('00000000000000000')).toBe('0');
  });

  it('gives Y for the highest value, 30', () => {
    expect(creditCodeCheckChar('10000000000000000')).toBe('Y');
  });

  it('refuses a body that is not 17 characters', () => {
    expect(creditCodeCheckChar('9135010000000')).toBeNull();
    expect(creditCodeCheckChar('91350100M000100Y43')).toBeNull();
  });

  it.each(['I', 'O', 'S', 'V', 'Z', '-'])('refuses a body containing %s, which the standard does not use', (c) => {
    expect(creditCodeCheckChar(`91350100${c}000100Y4`)).toBeNull();
  });
});

describe('isValidCreditCode', () => {
  it.each(['91350100M000100Y43', '91110000100006485K', '000000000000000000', '10000000000000000Y'])('accepts %s', (code) => {
    expect(isValidCreditCode(code)).toBe(true);
  });

  it('rejects a code with a wrong check character', () => {
    expect(isValidCreditCode('91350100M000100Y44')).toBe(false);
    expect(isValidCreditCode('91110000100006485J')).toBe(false);
  });

  it('rejects a code with a mistyped body digit', () => {
    expect(isValidCreditCode('91350100M000100Y53')).toBe(false);
  });

  it('rejects codes of the wrong length', () => {
    expect(isValidCreditCode('91350100M000100Y4')).toBe(false);
    expect(isValidCreditCode('91350100M000100Y433')).toBe(false);
    expect(isValidCreditCode('')).toBe(false);
  });
});
