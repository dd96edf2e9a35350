import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/queue/codec.js';
import { jobId } from '../../src/queue/queue.js';
import { queueUrl, redactUrl, scrub } from '../../src/queue/url.js';

describe('result codec', () => {
  it('brings back NaN, ±Infinity and -0, which plain JSON loses', () => {
    const v = { a: NaN, b: [Infinity, -Infinity, -0, 0, 1.5e-300], c: { d: 'NaN', e: null }, f: 0.1 + 0.2 };
    const back = decode<typeof v>(encode(v));
    expect(back.a).toBeNaN();
    expect(back.b[0]).toBe(Infinity);
    expect(back.b[1]).toBe(-Infinity);
    expect(Object.is(back.b[2], -0)).toBe(true);
    expect(Object.is(back.b[3], 0)).toBe(true);
    expect(back.b[4]).toBe(1.5e-300);
    expect(back.c).toEqual({ d: 'NaN', e: null });
    expect(back.f).toBe(0.1 + 0.2);
    expect(JSON.parse(JSON.stringify(v)).a).toBeNull(); // what the codec is for
  });
});

describe('queue URL', () => {
  const url = 'postgres://alice:s3cr%40t-pw@db.example:5432/allocsim';

  it('is redacted for messages, credentials and all', () => {
    expect(redactUrl(url)).toBe('postgres://***@db.example:5432/allocsim');
    const text = `failed at ${url}: password s3cr@t-pw rejected (raw s3cr%40t-pw)`;
    const clean = scrub(text, url);
    expect(clean).not.toContain('s3cr');
    expect(clean).toContain('postgres://***@db.example:5432/allocsim');
  });

  it('is checked with one line that names the option and never shows the password', () => {
    expect(queueUrl(url)).toBe(url);
    expect(() => queueUrl('redis://bob:hunter22@h:6379')).toThrow(/^--queue\(=redis:\/\/\*\*\*@h:6379\) must be a postgres:\/\/ URL/);
    expect(() => queueUrl('not a url')).toThrow(/^--queue\(=\(unparsable URL\)\) must be a URL/);
    delete process.env.ALLOCSIM_TEST_NO_QUEUE;
    expect(() => queueUrl('env:ALLOCSIM_TEST_NO_QUEUE')).toThrow(/environment variable ALLOCSIM_TEST_NO_QUEUE is not set/);
    process.env.ALLOCSIM_TEST_QUEUE = url;
    expect(queueUrl('env:ALLOCSIM_TEST_QUEUE')).toBe(url);
    let caught: unknown;
    try {
      queueUrl('mysql://bob:hunter22@h/db');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).name).toBe('UsageError'); // exit code 2
    expect((caught as Error).message).not.toContain('hunter22');
  });
});

describe('job ids', () => {
  it('are a function of run and task key (a resubmitted task finds its job), valid UUIDs', () => {
    const a = jobId('run-1', 'nearest#0');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(jobId('run-1', 'nearest#0')).toBe(a);
    expect(jobId('run-1', 'nearest#1')).not.toBe(a);
    expect(jobId('run-2', 'nearest#0')).not.toBe(a);
  });
});
