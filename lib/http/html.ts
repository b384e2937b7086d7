/** Text for HTML written by hand (rendered Markdown, the few pages a route handler answers itself). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
