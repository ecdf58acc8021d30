// Says in words what an example is expected to do, from its declarative checks (the same
// kinds the tour checks use: stdout_contains, error, trace_count, graph_has_op, metric, ...).
import { SUCCEEDED } from "../base/statuses.js";
import { format, pick, t } from "./i18n.js";

// A regular expression longer than this says little to a learner; the author's note says more.
const MAX_PATTERN = 40;

const EVENT_WORDS = {
  graph: () => t("Draws the graph of a traced function."),
  trace: () => t("Traces a tf.function."),
  autograph: () => t("Shows the code that Autograph generates."),
  model: () => t("Shows a model diagram."),
  metrics: () => t("Reports training metrics."),
  stderr: () => t("Writes to the error stream."),
  stdout: () => t("Prints output."),
};

function bounds(check) {
  if ("equals" in check) return format(t("exactly %(n)s"), { n: check.equals });
  const parts = [];
  const low = check.min ?? check.at_least;
  const high = check.max ?? check.at_most;
  if (low != null) parts.push(format(t("at least %(n)s"), { n: low }));
  if (high != null) parts.push(format(t("at most %(n)s"), { n: high }));
  return parts.join(t(" and "));
}

const DESCRIBE = {
  status: (c) =>
    c.equals === SUCCEEDED ? t("Finishes successfully.") : format(t("The run ends “%(status)s”."), { status: c.equals }),
  stdout_contains: (c) => format(t("Prints “%(text)s”."), { text: c.text }),
  stdout_not_contains: (c) => format(t("Does not print “%(text)s”."), { text: c.text }),
  stdout_matches: (c) =>
    String(c.pattern).length <= MAX_PATTERN
      ? format(t("Prints something matching /%(pattern)s/."), { pattern: c.pattern })
      : t("Prints output of the expected form."),
  error: (c) =>
    c.line != null
      ? format(t("Stops with %(exc)s at line %(line)s."), { exc: c.exc_type, line: c.line })
      : format(t("Stops with %(exc)s."), { exc: c.exc_type }),
  no_error: (c) =>
    c.exc_type ? format(t("Runs without %(exc)s."), { exc: c.exc_type }) : t("Runs without an error."),
  event: (c) => (EVENT_WORDS[c.type] || (() => format(t("Sends a “%(type)s” event."), { type: c.type })))(),
  trace_count: (c) => format(t("%(function)s is traced %(bounds)s time(s)."), { function: c.function, bounds: bounds(c) }),
  graph_has_op: (c) => {
    const op = Array.isArray(c.op) ? c.op.join(t(" or ")) : c.op;
    return c.function
      ? format(t("The graph of %(function)s contains a %(op)s op."), { function: c.function, op })
      : format(t("The graph contains a %(op)s op."), { op });
  },
  metric: (c) =>
    format(t("The last %(phase)s %(name)s is %(bounds)s."), { phase: c.phase || "train", name: c.name, bounds: bounds(c) }),
  model_params: (c) => format(t("The model has %(bounds)s parameters."), { bounds: bounds(c) }),
};

/** One sentence for one check; authors may also write their own as `describe`. */
export function describeCheck(check) {
  if (!check || typeof check !== "object") return String(check ?? "");
  if (check.describe) return pick(check.describe);
  const words = DESCRIBE[check.kind];
  return words ? words(check) : format(t("Meets the check “%(kind)s”."), { kind: check.kind });
}

/**
 * What an example's `expect` says, as [{text, why}]: `text` describes the check, `why` is the
 * author's note on it (the message a failing check shows), when there is one.
 */
export function describeExpectation(expect) {
  if (expect == null) return [];
  if (typeof expect === "string") return [{ text: expect, why: "" }];
  if (!Array.isArray(expect) && (expect.en || expect.ja)) return [{ text: pick(expect), why: "" }];
  const checks = Array.isArray(expect) ? expect : [expect];
  return checks.map((check) => {
    const why = check && check.message ? pick(check.message) : "";
    // A long pattern is noise: the note alone says what to look for.
    if (why && check.kind === "stdout_matches" && String(check.pattern).length > MAX_PATTERN) return { text: why, why: "" };
    return { text: describeCheck(check), why };
  });
}
