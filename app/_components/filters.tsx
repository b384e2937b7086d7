/**
 * The fields of the console's filter forms (plain GET forms: the filters live in the address, so
 * a filtered list can be bookmarked, shared and exported as it is).
 */
import Link from '@/app/_components/link';
import { Alert, buttonClass, inputClass } from './ui';

const labelClass = 'block text-xs font-medium text-slate-700 dark:text-slate-300';

export function FilterSelect({ id, name, label, value, options, any = 'Any' }: { id: string; name: string; label: string; value?: string; options: Array<string | { value: string; label: string }>; any?: string }) {
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      <select id={id} name={name} defaultValue={value ?? ''} className={inputClass}>
        <option value="">{any}</option>
        {options.map((option) => {
          const { value: optionValue, label: optionLabel } = typeof option === 'string' ? { value: option, label: option } : option;
          return (
            <option key={optionValue} value={optionValue}>
              {optionLabel}
            </option>
          );
        })}
      </select>
    </div>
  );
}

export function FilterText({ id, name, label, value, placeholder, list }: { id: string; name: string; label: string; value?: string; placeholder?: string; list?: string }) {
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      <input id={id} name={name} list={list} defaultValue={value ?? ''} placeholder={placeholder} className={inputClass} />
    </div>
  );
}

/** From and to, UTC days, both included. */
export function DateRange({ prefix, from, to }: { prefix: string; from?: string; to?: string }) {
  return (
    <>
      <div>
        <label htmlFor={`${prefix}-from`} className={labelClass}>
          From (UTC)
        </label>
        <input id={`${prefix}-from`} type="date" name="from" defaultValue={from ?? ''} className={inputClass} />
      </div>
      <div>
        <label htmlFor={`${prefix}-to`} className={labelClass}>
          To (UTC, included)
        </label>
        <input id={`${prefix}-to`} type="date" name="to" defaultValue={to ?? ''} className={inputClass} />
      </div>
    </>
  );
}

export function FilterButtons({ clearHref }: { clearHref: string | null }) {
  return (
    <div className="flex gap-2">
      <button type="submit" className={buttonClass('primary')}>
        Filter
      </button>
      {clearHref && (
        <Link href={clearHref} className={buttonClass('ghost')}>
          Clear
        </Link>
      )}
    </div>
  );
}

export function IgnoredFilters({ ignored }: { ignored: Array<{ name: string; message: string }> }) {
  if (ignored.length === 0) return null;
  return (
    <div className="mb-4">
      <Alert tone="warning" title="Some filters were ignored">
        {ignored.map((item) => `${item.name}: ${item.message}`).join('; ')}.
      </Alert>
    </div>
  );
}
