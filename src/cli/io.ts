export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
}

export class CliUsageError extends Error {
  readonly category = 'usage';
}
