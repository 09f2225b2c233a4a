// Vendor paths built from ids that came from outside (a vendor's conversation id in a webhook, a contact's
// external id). Each interpolated value is percent-encoded as one path segment, so an id such as
// `../../users` or `a?b=c` cannot change which endpoint is called.

/** `vendorPath\`/conversations/${id}/messages\`` with `id` encoded as a single segment. */
export function vendorPath(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += encodeURIComponent(String(v)).replace(/\./g, '%2E') + (strings[i + 1] ?? '');
  });
  return out;
}
