// The slice of the DOM the chat page uses, typed here so that the project-wide `deno check`
// does not load lib.dom (it would retype IndexedDB and more for every other module).

/** An element, with the few properties and methods the page touches. */
export interface Element {
  textContent: string | null;
  className: string;
  hidden: boolean;
  readonly dataset: Record<string, string | undefined>;
  readonly classList: { add(name: string): void };
  append(...children: Element[]): void;
  querySelector(selector: string): Element | null;
  addEventListener(type: string, listener: (event: { preventDefault(): void }) => void): void;
  focus(): void;
}

/** An `<input>` or `<button>`. */
export interface Control extends Element {
  value: string;
  disabled: boolean;
  type: string;
}

/** The page's document. */
export interface Document {
  readonly body: Element;
  getElementById(id: string): Element | null;
  createElement(tag: string): Element;
}

/** The global `document` (a browser page only). */
export const document: Document = (globalThis as unknown as { document: Document }).document;
