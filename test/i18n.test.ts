import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IntlMessageFormat } from 'intl-messageformat';
import en from '../messages/en.json';
import zh from '../messages/zh.json';
import { pickLocale } from '../i18n/locale';
import { CHAPTERS } from '../lib/learn/chapters';
import { CONTENT } from '../lib/learn/content';

describe('pickLocale', () => {
  test('keeps the saved choice over the browser language', () => {
    assert.equal(pickLocale('zh', 'en-US,en;q=0.9'), 'zh');
    assert.equal(pickLocale('en', 'zh-CN,zh;q=0.9'), 'en');
  });

  test('on a first visit, any zh tag means Chinese', () => {
    assert.equal(pickLocale(undefined, 'zh-CN,zh;q=0.9,en;q=0.8'), 'zh');
    assert.equal(pickLocale(undefined, 'zh-Hant-TW'), 'zh');
    assert.equal(pickLocale(undefined, 'ZH'), 'zh');
  });

  test('follows q weights, not the order of the header', () => {
    assert.equal(pickLocale(undefined, 'en;q=0.5, zh;q=0.9'), 'zh');
    assert.equal(pickLocale(undefined, 'zh;q=0.1, fr, en;q=0.8'), 'en');
  });

  test('falls back to English for other languages, no header, a zero weight or a bad cookie', () => {
    assert.equal(pickLocale(undefined, 'fr-FR,de;q=0.8'), 'en');
    assert.equal(pickLocale(undefined, null), 'en');
    assert.equal(pickLocale(undefined, 'zh;q=0'), 'en');
    assert.equal(pickLocale('klingon', 'fr'), 'en');
  });
});

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

describe('message files', () => {
  const english = flatten(en as Tree);
  const chinese = flatten(zh as Tree);

  test('English and Chinese have exactly the same keys', () => {
    assert.deepEqual([...chinese.keys()].filter((key) => !english.has(key)), []);
    assert.deepEqual([...english.keys()].filter((key) => !chinese.has(key)), []);
  });

  test('every message parses as ICU and uses the same arguments and tags in both languages', () => {
    const shape = (text: string, locale: string) => {
      const found = new Set<string>();
      const walk = (elements: ReturnType<IntlMessageFormat['getAst']>) => {
        for (const element of elements) {
          if ('value' in element && element.type !== 0) found.add(`${element.type}:${element.value}`);
          if ('children' in element) walk(element.children);
        }
      };
      walk(new IntlMessageFormat(text, locale).getAst());
      return [...found].sort();
    };
    for (const [key, text] of english) assert.deepEqual(shape(chinese.get(key)!, 'zh'), shape(text, 'en'), key);
  });

  test('every text block of every chapter has its message in both languages', () => {
    for (const chapter of CHAPTERS) {
      for (const block of CONTENT[chapter]) {
        const keys = 'key' in block ? [block.key] : block.kind === 'pair' ? [block.leftCaption, block.rightCaption] : block.kind === 'code' && block.caption ? [block.caption] : [];
        for (const key of keys) {
          const path = `learn.chapters.${chapter}.body.${key}`;
          assert.ok(english.has(path), `en: ${path}`);
          assert.ok(chinese.has(path), `zh: ${path}`);
        }
      }
      assert.ok(english.has(`learn.chapters.${chapter}.title`) && chinese.has(`learn.chapters.${chapter}.title`), chapter);
    }
  });
});
