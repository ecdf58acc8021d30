// What the editor knows of TensorFlow: completion, signature help and hover docs from the API
// index (read-only listings get the last two), and for an editable snippet ruff's lint as you type.
import { pythonLanguage } from "@codemirror/lang-python";
import { apiCompletions } from "./completion.js";
import { apiHover } from "./hover.js";
import { signatureHelp } from "./signature.js";
import { lintAsYouType } from "./ruff.js";
import "./assist.css";

export { formatView } from "./ruff.js";

/** The assist extensions; `editable` adds completion and lint. */
export function assistExtensions({ editable }) {
  return [apiHover, signatureHelp, editable ? [pythonLanguage.data.of({ autocomplete: apiCompletions }), lintAsYouType] : []];
}
