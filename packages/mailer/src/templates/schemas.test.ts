import { isNewsletterTemplate, newsletterTemplateName } from './schemas';

describe('isNewsletterTemplate (the rule `newsletter send` and the mailer share)', () => {
  it('is true for broadcast templates only, not for the confirmation, reminders, digests or invitations', () => {
    expect(isNewsletterTemplate('newsletter-product-news')).toBe(true);
    expect(isNewsletterTemplate(newsletterTemplateName('product-news'))).toBe(true);
    for (const name of ['newsletter-confirmation', 'license-reminder', 'maintenance-reminder', 'reminder-digest', 'invitation', 'topic-change-confirmation']) {
      expect(isNewsletterTemplate(name)).toBe(false);
    }
  });
});
