/** A user-facing text in both languages the service speaks. */
export interface Message {
  en: string;
  zh: string;
}

/**
 * A rule violation (error) or a warning, tied to the rule id of ../SPEC.md
 * (`rule: 'R-CURR-1'`) so that a refusal can be traced to the policy clause.
 */
export interface RuleIssue {
  rule: string;
  /** Dotted path of the offending input field, when there is one (`contract.end`). */
  path?: string;
  message: Message;
}

/** Builds a RuleIssue; `path` is left out when undefined. */
export function issue(rule: string, message: Message, path?: string): RuleIssue {
  return path === undefined ? { rule, message } : { rule, path, message };
}
