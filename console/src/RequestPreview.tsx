import { useEffect, useState } from 'react';
import { ApiError, describeError, type Api, type Preview } from './api';
import { inputOf, type Draft } from './integration-draft';
import { useDebounced } from './ui';

/** The request a draft renders to, from the server's own renderer, so what is shown is what is sent. */
export function RequestPreview({ api, draft }: { api: Api; draft: Draft }) {
  const settled = useDebounced(draft, 300);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [text, setText] = useState('Hello, I need help with my order');
  const sampleText = useDebounced(text, 300);
  useEffect(() => {
    let current = true;
    if (!settled.url) {
      setPreview(null);
      setProblem('Type a URL to see the request your endpoint will receive.');
      return;
    }
    // The alias does not shape the request; a placeholder keeps an empty one from failing the preview.
    api
      .preview({
        ...inputOf(settled),
        alias: settled.alias || 'preview',
        connections: [],
        sample: { text: sampleText },
      })
      .then(
        (result) => {
          if (!current) return;
          setPreview(result);
          setProblem(null);
        },
        (error: unknown) => {
          if (!current) return;
          setPreview(null);
          const fields = error instanceof ApiError ? error.body.error?.fields : undefined;
          setProblem(
            fields && fields.length > 0
              ? fields.map(({ path, message }) => `${path}: ${message}`).join('\n')
              : describeError(error),
          );
        },
      );
    return () => {
      current = false;
    };
  }, [api, settled, sampleText]);
  return (
    <aside className="card stack preview" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <p className="muted">
        The request your endpoint receives when a contact writes this message (rendered by chathook&apos;s own
        renderer).
      </p>
      <label htmlFor="sample-text">Sample message</label>
      <input id="sample-text" value={text} onChange={(event) => setText(event.target.value)} />
      {problem ? <pre className="code muted">{problem}</pre> : null}
      {preview ? (
        <pre className="code" data-testid="preview">
          {`${preview.request.method} ${preview.request.url}\n`}
          {Object.entries(preview.request.headers)
            .map(([name, value]) => `${name}: ${value}`)
            .join('\n')}
          {`\n${preview.signingHeaders.map((name) => `${name}: …`).join('\n')}`}
          {preview.request.body ? `\n\n${JSON.stringify(JSON.parse(preview.request.body), null, 2)}` : ''}
        </pre>
      ) : null}
    </aside>
  );
}
