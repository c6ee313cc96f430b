/**
 * `__proto__` as a YAML key: converted to a JavaScript object it sets the
 * object's prototype instead of adding a key, so the key silently vanishes
 * and what follows is judged on a changed object (confusing messages at
 * best). Refused with its own message, in pipeline and params files.
 */
export const RESERVED_KEY = '__proto__';

export const RESERVED_KEY_MESSAGE = "the key '__proto__' is not allowed: JavaScript objects reserve it (it would change the object instead of adding a key); rename it";
