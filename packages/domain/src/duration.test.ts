import { parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([['30s', 30_000], ['15m', 900_000], ['2h', 7_200_000], ['1d', 86_400_000], ['250ms', 250], [' 5 m ', 300_000]])('%p → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', '2', 'h', '-1h', '0m', '1w', '1.5h'])('refuses %p', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});
