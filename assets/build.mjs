// Builds static/vendor/bootstrap.min.css and static/vendor/bootstrap.min.js from the npm
// packages of package-lock.json (run by `make css` from the repository's root).
//
// The CSS is Bootstrap's minified sheet less every rule whose selectors name no class, id or
// element found in the templates, the Python code (badges, charts and the world map write
// HTML) or the app's scripts. Classes whose names are put together at run time are kept by
// the safelist below. The JS is the components of src/bootstrap.js, bundled and minified.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PurgeCSS } from 'purgecss'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const out = join(root, 'static', 'vendor')
const bootstrap = join(here, 'node_modules', 'bootstrap')
const { version } = JSON.parse(readFileSync(join(bootstrap, 'package.json'), 'utf8'))

const safelist = {
  standard: [
    // Set by Bootstrap's scripts while a menu or the collapsed navigation opens.
    'show', 'showing', 'collapsing', 'collapsed',
  ],
  // Put together in templates: text-bg-{{ tone }} (statuses), alert-{{ category }} (flash
  // messages, whatever category a view flashes).
  greedy: [/^text-bg-/, /^alert-/, /data-bs-popper/],
}

const [css] = await new PurgeCSS().purge({
  content: [
    join(root, 'templates', '**', '*.html'),
    join(root, 'tracker', '**', '*.py'),
    join(root, 'static', 'js', '*.js'),
    join(here, 'src', '*.js'),
  ],
  css: [join(bootstrap, 'dist', 'css', 'bootstrap.min.css')],
  safelist,
  // Custom properties and font faces stay: they are tiny and read through var().
  variables: false,
  fontFace: false,
  keyframes: true,
})

mkdirSync(out, { recursive: true })
const banner = `/*! Bootstrap v${version} (MIT), purged for the tracker's pages by assets/build.mjs */\n`
// The source map's comment would point at a file that is not shipped.
const sheet = css.css.replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '')
writeFileSync(join(out, 'bootstrap.min.css'), banner + sheet.replace(/^@charset "UTF-8";/, ''))

await build({
  entryPoints: [join(here, 'src', 'bootstrap.js')],
  outfile: join(out, 'bootstrap.min.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2019'],
  legalComments: 'none',
  banner: { js: `/*! Bootstrap v${version} and Popper (MIT), the tracker's components: assets/src/bootstrap.js */` },
  logLevel: 'warning',
})

const original = readFileSync(join(bootstrap, 'dist', 'css', 'bootstrap.min.css')).length
const kept = readFileSync(join(out, 'bootstrap.min.css')).length
console.log(`bootstrap.min.css: ${kept} of ${original} bytes kept`)
console.log(`bootstrap.min.js: ${readFileSync(join(out, 'bootstrap.min.js')).length} bytes`)
