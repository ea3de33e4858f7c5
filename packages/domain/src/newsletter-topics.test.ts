import { newsletterListLabel, topicLabel } from './newsletter-topics';

describe('topicLabel', () => {
  const topics = [{ id: 'product-news', label: 'Product news' }];
  it('names a configured topic by its label', () => {
    expect(topicLabel(topics, 'product-news')).toBe('Product news');
    expect(newsletterListLabel(topicLabel(topics, 'product-news'))).toBe('Newsletter: Product news');
  });
  it('falls back to the id for a topic no longer configured', () => {
    expect(topicLabel(topics, 'retired')).toBe('retired');
    expect(topicLabel(undefined, 'retired')).toBe('retired');
  });
});
