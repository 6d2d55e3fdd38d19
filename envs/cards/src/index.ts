export { default as cardsPlugin } from './plugin.js';
