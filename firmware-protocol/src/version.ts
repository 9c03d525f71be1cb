/** Stamped on every reading so a stored frame can be re-parsed by a later parser and told apart. */
export const PARSER_VERSION = 'fp/0.1.0';
