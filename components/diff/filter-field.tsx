'use client';

/** A text filter of a list; typing starts the list over at its first page. */
export function FilterField({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} spellCheck={false} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
