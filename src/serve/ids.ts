/**
 * Decision ids: `<boot>-<sequence>` in base 36, the sequence zero-padded. The
 * boot part (start time and process id) differs between server runs, so ids
 * stay unique across restarts without a lookup; within a run they increase in
 * text order too, so the audit log's primary key is appended to, not split.
 */
export class DecisionIds {
  private seq = 0;
  private readonly boot: string;

  constructor(bootMs = Date.now(), pid = process.pid) {
    this.boot = `${bootMs.toString(36)}${pid.toString(36)}`;
  }

  next(): string {
    return `${this.boot}-${(this.seq++).toString(36).padStart(8, '0')}`;
  }
}
