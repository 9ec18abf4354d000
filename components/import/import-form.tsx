'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { postJson } from '@/app/_data/api-client';
import { queries } from '@/app/_data/queries';
import { countText } from '@/lib/views/format';
import { importBytesMax, ImportResponse, type ImportRequest } from '@/lib/views/import-payload';
import { hostHref } from '@/lib/views/urls';
import { testIds } from '../test-ids';

/**
 * Paste or upload dumps of a host packetlens cannot reach. The server parses them; a dump that does
 * not parse comes back with its file, line and column, shown here as text.
 */
export function ImportForm() {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [pasted, setPasted] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [localProblem, setLocalProblem] = useState<string | null>(null);
  const submit = useMutation({
    mutationFn: (req: ImportRequest) => postJson('/api/import', req, ImportResponse),
    onSuccess: (r) => {
      if (r.ok) void client.invalidateQueries({ queryKey: queries.imports().queryKey });
    },
  });

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setLocalProblem(null);
    const size = files.reduce((n, f) => n + f.size, 0) + pasted.length;
    if (size > importBytesMax) {
      setLocalProblem(
        `the dumps hold ${countText(size)} bytes; at most ${countText(importBytesMax)} can be imported at once`,
      );
      return;
    }
    const inputs = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
    if (pasted.trim() !== '') inputs.push({ name: 'pasted', text: pasted });
    if (inputs.length === 0) {
      setLocalProblem('paste a dump or choose a file first');
      return;
    }
    submit.mutate({ name: name.trim() || 'imported', files: inputs });
  };

  const result = submit.data;
  return (
    <form
      className="import-form"
      onSubmit={onSubmit}
      data-testid={testIds.importForm}
      aria-describedby="import-help"
    >
      <p id="import-help">
        Accepted: <code>iptables-save</code> or <code>ip6tables-save</code> output (with or without{' '}
        <code>-c</code>), <code>nft -j list ruleset</code>, <code>ip -j -d link</code>,{' '}
        <code>ip -j addr</code>, <code>ip -j route show table all</code>, <code>ip -j rule</code>,{' '}
        <code>ip -j neigh</code> and <code>ipset save</code>; each file is recognised from its content.
        Imports are kept apart from collected hosts.
      </p>
      <div className="field">
        <label htmlFor="import-name">Name</label>
        <input
          id="import-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="node-7"
          maxLength={64}
          pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}"
        />
        <p className="muted">
          Letters, digits, “.”, “_” and “-”. Importing again under the same name adds a newer snapshot.
        </p>
      </div>
      <div className="field">
        <label htmlFor="import-files">Files</label>
        <input
          id="import-files"
          type="file"
          multiple
          onChange={(e) => setFiles([...(e.target.files ?? [])])}
        />
      </div>
      <div className="field">
        <label htmlFor="import-text">Or paste one dump</label>
        <textarea
          id="import-text"
          rows={10}
          value={pasted}
          onChange={(e) => setPasted(e.target.value)}
          spellCheck={false}
        />
      </div>
      <button type="submit" disabled={submit.isPending}>
        {submit.isPending ? 'Importing…' : 'Import'}
      </button>
      <div aria-live="polite">
        {localProblem && (
          <p role="alert" className="error-text" data-testid={testIds.importError}>
            {localProblem}
          </p>
        )}
        {submit.error && (
          <p role="alert" className="error-text" data-testid={testIds.importError}>
            The import failed: {submit.error.message}
          </p>
        )}
        {result && !result.ok && (
          <div role="alert" className="import-error" data-testid={testIds.importError}>
            <p>
              <strong>This dump cannot be read.</strong>
              {result.error.file !== null && (
                <>
                  {' '}
                  In <code>{result.error.file}</code>, line {result.error.line}, column {result.error.column}:
                </>
              )}
            </p>
            <pre>{result.error.message}</pre>
            <p>Fix the file (or give the tool&apos;s JSON output where it asks for it) and import again.</p>
          </div>
        )}
        {result && result.ok && (
          <p className="success-text">
            Imported {countText(result.rules)} rules.{' '}
            <Link href={hostHref({ host: result.host, pod: null, snapshot: null })}>Open {result.host}</Link>{' '}
            or its{' '}
            <Link href={hostHref({ host: result.host, pod: null, snapshot: null }, 'chains')}>chains</Link>.
          </p>
        )}
      </div>
    </form>
  );
}
