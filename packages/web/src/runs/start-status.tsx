/** Under a way to start a run: that it is starting, or why it was refused. */
export function StartStatus({ busy, problem }: { busy: boolean; problem: string | undefined }) {
  return (
    <>
      {busy && <p aria-live="polite">Starting…</p>}
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
    </>
  );
}
