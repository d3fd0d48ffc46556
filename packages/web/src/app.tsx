import { Link, Route, Switch } from 'wouter';
import { RunPage } from './run/run-page.js';
import { RunsPage } from './runs/runs-page.js';

export function App() {
  return (
    <>
      <header className="top-bar">
        <Link href="/" className="brand" aria-label="Unfold, all runs">
          <span className="brand-mark" aria-hidden="true" />
          Unfold
        </Link>
      </header>
      <main className="page">
        <Switch>
          <Route path="/">
            <RunsPage />
          </Route>
          <Route path="/runs/:runId">{(params) => <RunPage runId={decodeURIComponent(params.runId)} />}</Route>
          <Route>
            <p role="alert">There is no page here. <Link href="/">See all runs</Link>.</p>
          </Route>
        </Switch>
      </main>
    </>
  );
}
