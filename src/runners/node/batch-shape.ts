/**
 * What a training call's inputs say about its batch, read without touching tensor data: rows, and
 * tokens when the model input is token ids (an int32 [B, T] tensor).
 */

interface TensorLike {
  shape?: unknown[];
  dtype?: unknown;
}

/** The (first) model input of x: a tensor, an array of tensors or a name -> tensor map. */
export function firstTensor(x: unknown): TensorLike | undefined {
  const first = Array.isArray(x) ? x[0] : x;
  if (typeof first !== 'object' || first === null) return undefined;
  return ('shape' in first ? first : Object.values(first)[0]) as TensorLike | undefined;
}

/** Leading dimension of a tensor, when known. */
export function rowsOf(tensor: TensorLike | undefined): number | null {
  const rows = tensor?.shape?.[0];
  return Number.isInteger(rows) ? (rows as number) : null;
}

/** T of an int32 [B, T] tensor (token ids), else 0; B may be unknown (a model's declared input). */
export function tokensPerRow(tensor: unknown): number {
  const { shape, dtype } = (tensor ?? {}) as TensorLike;
  const length = shape?.length === 2 ? shape[1] : undefined;
  return dtype === 'int32' && Number.isInteger(length) ? (length as number) : 0;
}

/** Rows of a batch from fit's callback logs. */
export function sizeOf(logs: unknown): number | null {
  const size = (logs as { size?: unknown } | undefined)?.size;
  return Number.isInteger(size) ? (size as number) : null;
}
