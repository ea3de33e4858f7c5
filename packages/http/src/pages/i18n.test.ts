import { checkPageCatalogs } from './i18n';

describe('page message catalogs', () => {
  it('give every shipped locale every message of en, with the same placeholders', () => {
    expect(checkPageCatalogs()).toEqual([]);
  });
});
