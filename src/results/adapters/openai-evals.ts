import { isObject, jsonLines, num, str, type Adapter } from '../adapter.js';
import type { RunMeta, Sample } from '../model.js';

/**
 * openai/evals record JSONL (`oaieval ... --record_path`): a `spec` line, a `final_report` line and
 * events keyed by `sample_id`, in no fixed order. `match` events carry `correct`; `metrics` events
 * carry numbers (model-graded evals); `sampling` events carry the prompt and completion.
 */
export const openaiEvals: Adapter = {
  format: 'openai-evals',
  detect: ({ firstLine }) =>
    isObject(firstLine) &&
    (isObject(firstLine.spec) ||
      isObject(firstLine.final_report) ||
      ('run_id' in firstLine && 'event_id' in firstLine && 'type' in firstLine)),
  async read({ file }, ctx) {
    const meta: RunMeta = { tool: 'openai/evals' };
    interface State {
      line: number;
      correct?: boolean;
      scores: Record<string, number>;
      error?: string;
      message?: string;
      tokens?: number;
      graded?: number;
    }
    const bySample = new Map<string, State>();
    let sawReport = false;
    for await (const batch of jsonLines(file, ctx, 'every line of an openai/evals record is one JSON object')) {
      for (const { value: ev, line } of batch) {
        if (!isObject(ev)) continue;
        if (isObject(ev.spec)) {
          const spec = ev.spec;
          const fns = Array.isArray(spec.completion_fns)
            ? spec.completion_fns.filter((f) => typeof f === 'string')
            : [];
          meta.model = fns.join(', ') || undefined;
          meta.dataset = str(spec.eval_name) ?? str(spec.base_eval);
          continue;
        }
        if (isObject(ev.final_report)) {
          sawReport = true;
          for (const [k, v] of Object.entries(ev.final_report))
            if (num(v) !== undefined) ctx.aggregate(`final_report.${k}`, { value: v as number });
          continue;
        }
        const id = str(ev.sample_id);
        if (!id) continue;
        let st = bySample.get(id);
        if (!st) bySample.set(id, (st = { line, scores: {} }));
        const data = isObject(ev.data) ? ev.data : {};
        switch (ev.type) {
          case 'match':
            // Several match events for one sample (multi-turn): all must be correct.
            st.correct = (st.correct ?? true) && data.correct === true;
            st.line = line;
            if (data.correct !== true)
              st.message =
                `expected ${JSON.stringify(data.expected)}, got ${JSON.stringify(data.sampled ?? data.picked)}`.slice(
                  0,
                  500,
                );
            break;
          case 'metrics':
            for (const [k, v] of Object.entries(data)) if (num(v) !== undefined) st.scores[k] = v as number;
            if (num(data.score) !== undefined) st.graded = data.score as number;
            delete st.scores.score;
            break;
          case 'sampling': {
            const usage = isObject(data.usage) ? data.usage : {};
            st.tokens = (st.tokens ?? 0) + (num(usage.total_tokens) ?? 0) || st.tokens;
            break;
          }
          case 'error':
          case 'raw_sample_error':
            st.error = str(data.message) ?? str(data.error) ?? JSON.stringify(data).slice(0, 300);
            break;
        }
      }
    }
    if (!sawReport) ctx.runError('no final_report line: the openai/evals run did not finish');
    for (const [id, st] of bySample) {
      // Model-graded evals record a `metrics` score instead of a match: judged pass at 0.5 or more.
      const graded = st.correct === undefined && st.graded !== undefined ? st.graded >= 0.5 : undefined;
      const correct = st.correct ?? graded;
      const sample: Sample = {
        id,
        outcome: st.error !== undefined ? 'error' : correct === true ? 'pass' : correct === false ? 'fail' : 'error',
        scores: st.scores,
        tags: [],
        repeat: 0,
        tokens: st.tokens,
        message:
          st.error ?? (correct === undefined ? 'no match or metrics event was recorded for this sample' : st.message),
        line: st.line,
      };
      if (st.correct !== undefined) sample.score = st.correct ? 1 : 0;
      else if (graded !== undefined) sample.score = st.graded;
      ctx.emit(sample);
    }
    return meta;
  },
};
