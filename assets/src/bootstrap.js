// The Bootstrap components the pages use, and only those: the navigation bar's collapse
// (narrow screens) and its dropdown menus. Importing a component registers its data-bs-*
// attributes. A page that needs another component adds it here, then `make css` rebuilds.
import 'bootstrap/js/src/collapse.js'
import 'bootstrap/js/src/dropdown.js'
