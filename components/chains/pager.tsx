'use client';

/** Previous / next through pages, with where we are. */
export function Pager({
  page,
  pages,
  label,
  onPage,
  navLabel = 'Pages',
}: {
  page: number;
  pages: number;
  label: string;
  onPage: (page: number) => void;
  /** The landmark's name, unique on the page when it has several pagers. */
  navLabel?: string;
}) {
  return (
    <nav className="pager" aria-label={navLabel}>
      <span>{label}</span>
      {pages > 1 && (
        <>
          <button type="button" onClick={() => onPage(page - 1)} disabled={page <= 1}>
            Previous
          </button>
          <span>
            page {page} of {pages}
          </span>
          <button type="button" onClick={() => onPage(page + 1)} disabled={page >= pages}>
            Next
          </button>
        </>
      )}
    </nav>
  );
}
