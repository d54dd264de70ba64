import { LosslessNumber } from 'lossless-json';
import { CanonicalJsonError, canonicalJson, parseExactJson } from '../src/verifier/canonical-json';

/*
 * RFC 8785 test data: cyberphone/json-canonicalization testdata/input and testdata/output
 * (values.json and weird.json @ 1e2733fc2bd37ed680fbb595f063f7bc62b4a0ec / 77917fbd5d923bca23a9b5eb8851deec918016bf,
 * structures.json @ 72a2163bae9803964410d89cea8874787a95718b, french.json @ b01b0235cf94374efe5d11d00a86a11054756374,
 * unicode.json @ ff225671c5de178c946aad33ac5ef454d236505e), and RFC 8785 Appendix B's number serialization samples.
 */
const JCS_FILES: [string, string, string][] = [
  [
    'values',
    '{\n  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],\n  "escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}',
    '{"escaping":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}',
  ],
  [
    'weird (UTF-16 key order: the emoji U+1F602 sorts before U+FB33, as its surrogate D83D does)',
    '{\n  "\\u20ac": "Euro Sign",\n  "1": "One",\n  "\\u0080": "Control\\u007f",\n  "\\ud83d\\ude02": "Smiley",\n  "\\u00f6": "Latin Small Letter O With Diaeresis",\n  "\\ufb33": "Hebrew Letter Dalet With Dagesh",\n  "</script>": "Browser Challenge"\n}\n',
    '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  ],
  [
    'structures',
    '{\n  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},\n  "10": { },\n  "": "empty",\n  "a": { },\n  "111": [ { } ],\n  "A": { }\n}',
    '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}',
  ],
  [
    'french (no locale in the order)',
    '{\n  "peach": "This sorting order",\n  "péché": "is wrong according to French",\n  "pêche": "but canonicalization MUST",\n  "sin":   "ingnore locale"\n}\n',
    '{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ingnore locale"}',
  ],
  ['unicode (no normalization)', '{\n  "Unnormalized Unicode":"\\u1e0d\\u0307"\n}\n', '{"Unnormalized Unicode":"ḍ̇"}'],
];

/** RFC 8785 Appendix B: IEEE-754 bit patterns and their canonical text. */
const APPENDIX_B: [string, string][] = [
  ['0000000000000000', '0'],
  ['8000000000000000', '0'],
  ['0000000000000001', '5e-324'],
  ['8000000000000001', '-5e-324'],
  ['7fefffffffffffff', '1.7976931348623157e+308'],
  ['ffefffffffffffff', '-1.7976931348623157e+308'],
  ['4340000000000000', '9007199254740992'],
  ['c340000000000000', '-9007199254740992'],
  ['4430000000000000', '295147905179352830000'],
  ['44b52d02c7e14af5', '9.999999999999997e+22'],
  ['44b52d02c7e14af6', '1e+23'],
  ['44b52d02c7e14af7', '1.0000000000000001e+23'],
  ['444b1ae4d6e2ef4e', '999999999999999700000'],
  ['444b1ae4d6e2ef4f', '999999999999999900000'],
  ['444b1ae4d6e2ef50', '1e+21'],
  ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['3eb0c6f7a0b5ed8d', '0.000001'],
  ['41b3de4355555553', '333333333.3333332'],
  ['41b3de4355555554', '333333333.33333325'],
  ['41b3de4355555555', '333333333.3333333'],
  ['41b3de4355555556', '333333333.3333334'],
  ['41b3de4355555557', '333333333.33333343'],
  ['becbf647612f3696', '-0.0000033333333333333333'],
  ['43143ff3c1cb0959', '1424953923781206.2'],
];
const double = (bits: string): number => Buffer.from(bits, 'hex').readDoubleBE(0);

describe('RFC 8785 canonical JSON, the verifier’s own writer', () => {
  it.each(JCS_FILES)('writes the cyberphone test file %s as published', (_name, input, output) => {
    expect(canonicalJson(JSON.parse(input))).toBe(output);
  });

  it.each(APPENDIX_B)('writes the double %s as %s (Appendix B)', (bits, text) => {
    expect(canonicalJson(double(bits))).toBe(text);
  });

  it('refuses NaN and Infinity (Appendix B), and what is not JSON', () => {
    for (const bits of ['7fffffffffffffff', '7ff0000000000000'])
      expect(() => canonicalJson([double(bits)])).toThrow(CanonicalJsonError);
    for (const value of [undefined, () => 1, 1n, Symbol('s'), new Date(0), Buffer.from('x'), { a: undefined }]) {
      expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
    }
    expect(() => canonicalJson({ ['\ud800']: 1 })).toThrow('lone surrogate');
    expect(() => canonicalJson(['a\udc00b'])).toThrow('lone surrogate');
    expect(canonicalJson(['\ud83d\ude02'])).toBe('["😂"]');
  });

  it('keeps the digits of a number a double cannot hold, and reads the API’s numbers back to the same text', () => {
    expect(
      canonicalJson({ big: new LosslessNumber('12345678901234567890'), scaled: new LosslessNumber('10.50') }),
    ).toBe('{"big":12345678901234567890,"scaled":10.50}');
    const answer = '{"b":[1,0.5,-3,1e+21,98765432.98765432],"a":12345678901234567890,"c":{"d":10.50,"e":1.0}}';
    expect(canonicalJson(parseExactJson(answer))).toBe(
      '{"a":12345678901234567890,"b":[1,0.5,-3,1e+21,98765432.98765432],"c":{"d":10.50,"e":1.0}}',
    );
    expect(parseExactJson('[0.5]')).toEqual([0.5]);
  });

  it('refuses text that is not JSON, duplicate keys included, with the position', () => {
    expect(() => parseExactJson('{"a":1,"a":2}')).toThrow(/Duplicate key 'a'.*position 8/);
    expect(() => parseExactJson('{"a":1} x')).toThrow(/position 8/);
  });
});
