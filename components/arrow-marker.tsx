/** The arrowhead diagrams put at the end of their lines (`markerEnd="url(#ID)"`). */
export function ArrowMarker({ id, size, className }: { id: string; size: number; className: string }) {
  return (
    <defs>
      <marker
        id={id}
        viewBox="0 0 10 10"
        refX="9"
        refY="5"
        markerWidth={size}
        markerHeight={size}
        orient="auto-start-reverse"
      >
        <path d="M0,0 L10,5 L0,10 z" className={className} />
      </marker>
    </defs>
  );
}
