// The staff app's DOM helpers are the shared ones (web/shared/js/dom.js, served at /shared/).
export * from '../../shared/js/dom.js';
