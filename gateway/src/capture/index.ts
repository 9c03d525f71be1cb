export { type CaptureOptions, captureDevice, toCaptureError } from './capture.js';
export {
  type CapturedCharacteristic,
  CapturedCharacteristicSchema,
  type CapturedFrame,
  CapturedFrameSchema,
  type CaptureError,
  CaptureErrorSchema,
  captureIssues,
  type DeviceCapture,
  DeviceCaptureSchema,
} from './schema.js';
