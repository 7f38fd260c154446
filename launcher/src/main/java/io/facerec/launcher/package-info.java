/**
 * The {@code facerec} command line ({@link FacerecCommand}) and its modes: the zero-setup run on an embedded chain
 * ({@link ZeroSetupRun}, {@link EmbeddedPipeline}, {@link FacerecApplication}), the origin's database modes
 * ({@link DatabaseModes}), detection on files and folders ({@link DetectionTestMode}) and scoring on a labelled folder
 * ({@link EvaluateMode}).
 */
package io.facerec.launcher;
