import { randomInt } from 'node:crypto';

// MLflow-style memorable run names ("brave-owl-417"): easier to say in a review than a run id.
const ADJECTIVES = ['able', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'eager', 'fair', 'fast', 'gentle', 'glad', 'keen', 'kind', 'lucky', 'merry', 'neat', 'proud', 'quick', 'quiet', 'rare', 'sharp', 'shy', 'smart', 'steady', 'sunny', 'swift', 'tidy', 'warm', 'wise'];
const NOUNS = ['ant', 'bat', 'bear', 'bee', 'carp', 'cat', 'colt', 'crab', 'crow', 'deer', 'dove', 'eel', 'elk', 'finch', 'fox', 'frog', 'gnu', 'hare', 'hawk', 'lark', 'lynx', 'mole', 'moth', 'newt', 'owl', 'ram', 'seal', 'slug', 'toad', 'wolf'];

export function generateRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`;
}
