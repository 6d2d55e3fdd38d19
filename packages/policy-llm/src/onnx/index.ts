export { buildTransformerOnnx, DECODER_IO, exportTransformerOnnx, OnnxExportError, TRANSFORMER_ONNX_IR_VERSION, TRANSFORMER_ONNX_OPSET, type TransformerOnnxOptions } from './export-transformer.js';
export { exportOnnxModelDir, ONNX_DATA_FILE, ONNX_MODEL_FILE, writeOnnxModel, type WriteOnnxOptions } from './model-dir.js';
export { OnnxBackend, OnnxBackendError, type OnnxBackendOptions } from './onnx-backend.js';
export { onnxGenerationSpeed, type OnnxSpeed, type OnnxSpeedOptions } from './onnx-speed.js';
export { randomHostWeights } from './random-weights.js';
