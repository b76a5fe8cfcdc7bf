/*
 * PBX › Block List: named lists of numbers whose calls in, on any trunk,
 * are refused. A number blocks every caller ID that contains it.
 */
import { h } from '../dom';
import type { PageDef } from '../page';
import { collectionTable } from '../table';

/** The manual's rule, shown on the page. */
export const SUBSTRING_RULE =
  'A call in on any trunk whose caller ID contains a listed number is refused: 7654321 blocks +971507654321 and 0507654321; ' +
  '+971507654321 blocks +971507654321 but not 0507654321. The caller ID is reduced to its digits and + before it is compared.';

export const blockListPage: PageDef = {
  path: '/pbx/blocklist',
  title: 'Block List',
  group: 'PBX',
  render(ctx) {
    ctx.root.append(
      h('p', { class: 'rule', 'data-test': 'substring-rule' }, SUBSTRING_RULE),
      collectionTable('block_lists.list', {
        noun: 'block list',
        heading: 'Block lists',
        addLabel: 'Create New Block List',
        columns: ['name', 'numbers', 'enabled'],
        cells: {
          numbers: {
            title: 'Numbers',
            render: (e) => (Array.isArray(e.numbers) && e.numbers.length ? e.numbers.join(', ') : '—'),
          },
        },
        form: {
          hints: {
            numbers: 'Numbers of 3 to 20 digits, with an optional leading +, separated by spaces or commas. ' +
              'A caller whose number contains one of them is refused.',
          },
        },
        label: (e) => String(e.name ?? e.id),
      }));
  },
};
