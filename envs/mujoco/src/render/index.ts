export { renderSideView } from './side-view.js';
export { DEFAULT_CAMERA_DISTANCE, DEFAULT_HEIGHT, DEFAULT_WIDTH, type SideViewOptions } from './camera.js';
