import type { Metadata } from 'next';
import { importsList } from '@/collector/dashboard/imports';
import { dashboard } from '@/collector/dashboard/runtime';
import { StoreError } from '@/collector/store/store-error';
import { ImportForm } from '@/components/import/import-form';
import { ImportList } from '@/components/import/import-list';
import { StoreProblem } from '@/components/store-problem';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Import' };

export default async function ImportPage() {
  let list;
  try {
    list = importsList(await dashboard());
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    return <StoreProblem message={e.message} />;
  }
  return (
    <>
      <h1>Import a dump</h1>
      <p className="lead">
        Look at a host packetlens cannot reach: give its rule and routing dumps, get the same views as a
        collected host.
      </p>
      <ImportForm />
      <ImportList initial={list} />
    </>
  );
}
