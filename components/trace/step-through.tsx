'use client';

import { useState } from 'react';
import { stepExplanation } from '@/lib/simulate/explain';
import type { TracePath } from '@/lib/simulate/result';
import { testIds } from '../test-ids';
import { StepItem } from './trace-path';

/** One step at a time, with what the hook, table and verdict do: for learning the path. */
export function StepThrough({ path }: { path: TracePath }) {
  const steps = [...path.steps, ...(path.reply?.steps ?? [])];
  const [i, setI] = useState(0);
  const s = steps[Math.min(i, steps.length - 1)];
  if (!s) return null;
  return (
    <section className="step-through" aria-label="Step through" data-testid={testIds.traceStepThrough}>
      <p className="muted">
        Step {i + 1} of {steps.length}
        {i >= path.steps.length ? ' (the reply)' : ''}
      </p>
      <ol className="steps">
        <StepItem s={s} active />
      </ol>
      <p className="explanation" aria-live="polite">
        {stepExplanation(s)}
      </p>
      <div className="step-buttons">
        <button type="button" onClick={() => setI(Math.max(0, i - 1))} disabled={i === 0}>
          Previous step
        </button>
        <button
          type="button"
          onClick={() => setI(Math.min(steps.length - 1, i + 1))}
          disabled={i >= steps.length - 1}
        >
          Next step
        </button>
      </div>
    </section>
  );
}
