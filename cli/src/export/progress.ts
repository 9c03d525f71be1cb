/** A progress display: a redrawn bar on a terminal, plain lines (at most one per 10 %) otherwise. */
export interface Progress {
  update(done: number, total: number | undefined): void;
  /** A free-form status (the bulk export's X-Progress). */
  note(text: string): void;
  finish(summary: string): void;
}

const WIDTH = 30;

export function createProgress(stream: NodeJS.WriteStream, label: string): Progress {
  const tty = stream.isTTY === true;
  let lastTenth = -1;
  let lastNote = '';
  return {
    update(done, total) {
      if (tty) {
        const bar =
          total === undefined || total === 0
            ? ''
            : `[${'#'.repeat(Math.round((WIDTH * Math.min(done, total)) / total)).padEnd(WIDTH, ' ')}] `;
        stream.write(`\r${bar}${done}${total === undefined ? '' : `/${total}`} ${label}`);
        return;
      }
      const tenth = total === undefined || total === 0 ? 0 : Math.floor((10 * done) / total);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`${done}${total === undefined ? '' : `/${total}`} ${label}\n`);
    },
    note(text) {
      if (text === lastNote && !tty) return;
      lastNote = text;
      stream.write(tty ? `\r${text.padEnd(WIDTH + 20, ' ')}` : `${text}\n`);
    },
    finish(summary) {
      stream.write(`${tty ? '\r\x1b[K' : ''}${summary}\n`);
    },
  };
}
