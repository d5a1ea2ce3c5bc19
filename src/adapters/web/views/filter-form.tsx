/** One choice of a filter's select: the URL parameter's value and what the option says. */
export interface FilterOption {
  readonly value: string;
  readonly label: string;
}

/** A field of a filter form: a select (an "any" option first, value '', where the filter can be off) or a text search. */
export type FilterField =
  | { readonly kind: 'select'; readonly name: string; readonly label: string; readonly options: readonly FilterOption[]; readonly selected: string | undefined }
  | { readonly kind: 'search'; readonly name: string; readonly label: string; readonly value: string | undefined };

/** A select that can be left at "any" (`anyLabel`, value ''), showing `selected` (a query parameter's value, if any). */
export function choiceField(name: string, label: string, anyLabel: string, options: readonly FilterOption[], selected: string | number | undefined): FilterField {
  return { kind: 'select', name, label, options: [{ value: '', label: anyLabel }, ...options], selected: selected === undefined ? '' : String(selected) };
}

function Field(props: { field: FilterField }) {
  const { field } = props;
  if (field.kind === 'search') {
    return (
      <label>
        {field.label}
        <input type="search" name={field.name} value={field.value ?? ''} />
      </label>
    );
  }
  return (
    <label>
      {field.label}
      <select name={field.name}>
        {field.options.map((option) => (
          <option value={option.value} selected={option.value === field.selected}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The filters above a list (the organisation's teams, the steps across teams): a GET form whose fields
 * become the page's query parameters, so a filtered view is a link; Apply, and Clear back to the whole list.
 * A null field is one the page does not offer (e.g. a survey picker with one survey).
 */
export function FilterForm(props: { action: string; label: string; fields: readonly (FilterField | null)[] }) {
  return (
    <form class="filters" method="get" action={props.action} aria-label={props.label}>
      {props.fields.map((field) => (field ? <Field field={field} /> : null))}
      <button type="submit">Apply</button>
      <a href={props.action}>Clear</a>
    </form>
  );
}
