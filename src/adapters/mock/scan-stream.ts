import { Readable } from 'node:stream';

/** ioredis's scan stream options. */
export interface ScanStreamOptions {
  readonly match?: string;
  readonly count?: number;
  readonly type?: string;
}

type Scan = (...args: unknown[]) => Promise<[string, unknown[]]>;

/**
 * ioredis's `scanStream` (and `sscanStream`, `hscanStream`, `zscanStream`) over the view's own,
 * guarded scan method: ioredis-mock's streams are bound to the raw mock and would bypass the
 * guard. Pushes each non-empty batch of names, as ioredis does.
 */
export class GuardedScanStream extends Readable {
  private cursor = '0';
  private done = false;

  constructor(
    private readonly scan: Scan,
    private readonly key: unknown[],
    private readonly options: ScanStreamOptions = {},
  ) {
    super({ objectMode: true });
  }

  override _read(): void {
    if (this.done) {
      this.push(null);
      return;
    }
    const args: unknown[] = [...this.key, this.cursor];
    if (this.options.match !== undefined) args.push('MATCH', this.options.match);
    if (this.options.count !== undefined) args.push('COUNT', this.options.count);
    if (this.options.type !== undefined) args.push('TYPE', this.options.type);
    this.scan(...args).then(
      ([next, names]) => {
        this.cursor = String(next);
        if (this.cursor === '0') this.done = true;
        if (names.length > 0) this.push(names);
        else this._read();
      },
      (error: Error) => this.destroy(error),
    );
  }
}
