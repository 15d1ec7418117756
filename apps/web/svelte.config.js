import adapter from '@sveltejs/adapter-static';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
    // Hashes let the API send a strict CSP (script-src 'self' + hash) for the SPA fallback.
    csp: { mode: 'hash', directives: {} },
  },
};

export default config;
