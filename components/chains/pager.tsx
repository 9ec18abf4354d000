'use client';

/** Previous / next through pages, with where we are. */
export function Pager({
  page,
  pages,
  label,
  onPage,
}: {
  page: number;
  pages: number;
  label: string;
  onPage: (page: number) => void;
}) {
  return (
    <nav className="pager" aria-label="Pages">
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
