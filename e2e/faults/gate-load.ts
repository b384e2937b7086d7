/**
 * Steady gate load from a few CI clients at once (keep-alive connections, as a CI fleet behind one
 * proxy looks), recording every answer: when it was asked, how long it took, its status, and the
 * passport of a 2xx. A fault test reads the record afterwards: errors by status, the longest
 * wait, the time to recover.
 */
export interface GateAnswer {
  requestId: string;
  startedAt: number;
  endedAt: number;
  /** HTTP status, or 0 when no answer came (connection refused, reset, timed out). */
  status: number;
  code?: string;
  passportId?: string;
  error?: string;
}

export interface GateLoad {
  answers: GateAnswer[];
  stop(): Promise<GateAnswer[]>;
}

export function startGateLoad(options: { url: string; token: string; body: string; clients: number; timeoutMs?: number; label?: string }): GateLoad {
  const answers: GateAnswer[] = [];
  let running = true;
  let sequence = 0;
  const client = async (index: number) => {
    while (running) {
      const requestId = `${options.label ?? 'fault'}-${index}-${sequence++}-${Date.now()}`;
      const startedAt = Date.now();
      try {
        const response = await fetch(`${options.url}/api/v1/gate/evaluate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', 'x-request-id': requestId },
          body: options.body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
        const json = (await response.json().catch(() => null)) as { code?: string; passport?: { id?: string } } | null;
        // Headers without a whole body (the server died mid-answer) is no answer at all.
        if (json === null) answers.push({ requestId, startedAt, endedAt: Date.now(), status: 0, error: `status ${response.status} with an unreadable body` });
        else answers.push({ requestId, startedAt, endedAt: Date.now(), status: response.status, code: json.code, passportId: json.passport?.id });
      } catch (error) {
        answers.push({ requestId, startedAt, endedAt: Date.now(), status: 0, error: (error as Error).message });
        await new Promise((resolve) => setTimeout(resolve, 50)); // a refused connection answers at once
      }
    }
  };
  const clients = Array.from({ length: options.clients }, (_, index) => client(index));
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(clients);
      return answers;
    },
  };
}

/** Counts by status ("0" = no answer), for the figures a fault test prints. */
export function statusCounts(answers: GateAnswer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
  return counts;
}

/** Seconds from `since` to the end of the first 2xx answer to a request asked at or after it. */
export function secondsToRecover(answers: GateAnswer[], since: number): number | null {
  const first = answers.filter((answer) => answer.startedAt >= since && answer.status >= 200 && answer.status < 300).sort((a, b) => a.endedAt - b.endedAt)[0];
  return first ? (first.endedAt - since) / 1000 : null;
}
