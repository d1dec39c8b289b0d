import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { porterMeasure, porterStem } from '../../../src/core/textEval/porterStemmer';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'textEval', 'porter-nltk.tsv');

test('measure m of [C](VC){m}[V], as in Porter\'s paper', () => {
  for (const word of ['tr', 'ee', 'tree', 'y', 'by']) assert.equal(porterMeasure(word), 0, word);
  for (const word of ['trouble', 'oats', 'trees', 'ivy']) assert.equal(porterMeasure(word), 1, word);
  for (const word of ['troubles', 'private', 'oaten', 'orrery']) assert.equal(porterMeasure(word), 2, word);
});

test('the examples of Porter\'s paper, step by step', () => {
  const cases: Record<string, string> = {
    caresses: 'caress', ponies: 'poni', cats: 'cat', feed: 'feed', agreed: 'agre', plastered: 'plaster', motoring: 'motor', sing: 'sing',
    conflated: 'conflat', troubled: 'troubl', sized: 'size', hopping: 'hop', falling: 'fall', hissing: 'hiss', fizzed: 'fizz', failing: 'fail', filing: 'file',
    relational: 'relat', conditional: 'condit', rational: 'ration', digitizer: 'digit', operator: 'oper', feudalism: 'feudal', hopefulness: 'hope',
    triplicate: 'triplic', formative: 'form', electrical: 'electr', goodness: 'good', allowance: 'allow', adjustable: 'adjust', adoption: 'adopt',
    effective: 'effect', probate: 'probat', rate: 'rate', cease: 'ceas', generalizations: 'gener', oscillators: 'oscil',
  };
  for (const [word, stem] of Object.entries(cases)) assert.equal(porterStem(word), stem, word);
});

test('NLTK\'s extensions, where rouge-score (NLTK) and Porter\'s original code disagree', () => {
  // irregular forms, -ies/-ied on 4-letter words, y → i only after a consonant, alli, fulli, logi
  const cases: Record<string, string> = {
    dying: 'die', lying: 'lie', skies: 'sky', news: 'news', innings: 'inning', proceed: 'proceed',
    dies: 'die', died: 'die', flies: 'fli', spied: 'spi', ties: 'tie',
    enjoy: 'enjoy', array: 'array', always: 'alway', happy: 'happi', spy: 'spi',
    additionally: 'addit', fully: 'fulli', hopefully: 'hope', geology: 'geolog',
  };
  for (const [word, stem] of Object.entries(cases)) assert.equal(porterStem(word), stem, word);
});

test('agrees with NLTK 3.8 PorterStemmer() on every word of the reference list', () => {
  const lines = readFileSync(FIXTURE, 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  assert.ok(lines.length > 3000, `only ${lines.length} words in ${FIXTURE}`);
  const wrong = lines.flatMap((line) => {
    const [word = '', expected = ''] = line.split('\t');
    const actual = porterStem(word);
    return actual === expected ? [] : [`${word}: ${actual}, NLTK ${expected}`];
  });
  assert.deepEqual(wrong.slice(0, 20), []);
});
