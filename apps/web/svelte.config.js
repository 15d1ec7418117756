import adapter from '@sveltejs/adapter-static';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  kit: {
    // The comment scrubber of @teamspiegel/core, by itself: the package's index also exports the
    // item bank and content validation, which pull TypeBox into the answer page's bundle.
    alias: { '$core/scrub': '../../packages/core/src/scrub.ts' },
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
    // The SPA fallback carries a CSP meta tag with the hash of SvelteKit's one inline boot script,
    // so the page works under a strict policy. No inline styles: components use classes only.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        // 'unsafe-hashes' + this hash admits exactly one style attribute: SvelteKit's own
        // visually-hidden route announcer. Nothing else may use inline styles.
        'style-src': [
          'self',
          'unsafe-hashes',
          'sha256-S8qMpvofolR8Mpjy4kQvEm7m1q8clzU4dfDH0AmvZjo=',
        ],
        'img-src': ['self', 'data:'],
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
      },
    },
  },
};

export default config;
