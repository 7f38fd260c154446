import java.lang.reflect.Method;

/**
 * Run by check-images.py inside an image's root file system (chroot): loads the image's main class and the native
 * libraries the workers use (JavaCPP OpenCV, OpenBLAS and FFmpeg as JavaCV's frame grabber loads them, ONNX Runtime), so a missing system library in the
 * base image shows up here and not in production. Reflection only: compiled without the project on the classpath.
 *
 * <p>Usage: {@code java -cp @/app/jib-classpath-file:DIR NativeSmoke MAIN_CLASS}
 */
public final class NativeSmoke {
    public static void main(String[] args) throws Exception {
        Class.forName(args[0], false, NativeSmoke.class.getClassLoader());
        System.out.println("main class " + args[0] + ": loaded");
        Method load = Class.forName("org.bytedeco.javacpp.Loader").getMethod("load", Class.class);
        for (String c : new String[] {"org.bytedeco.opencv.global.opencv_core", "org.bytedeco.opencv.global.opencv_imgproc",
                "org.bytedeco.opencv.global.opencv_imgcodecs", "org.bytedeco.openblas.global.openblas",
                "org.bytedeco.ffmpeg.global.avcodec", "org.bytedeco.ffmpeg.global.avformat",
                "org.bytedeco.ffmpeg.global.swscale"}) {
            System.out.println("native " + c + ": " + load.invoke(null, Class.forName(c)));
        }
        // the video path: JavaCV's FFmpegFrameGrabber loads avutil, swresample, avcodec, avformat, swscale and avdevice
        // (which links ALSA, PulseAudio and XCB) before it opens any file
        Class.forName("org.bytedeco.javacv.FFmpegFrameGrabber").getMethod("tryLoad").invoke(null);
        System.out.println("FFmpegFrameGrabber.tryLoad(): ok");
        int avcodec = (int) Class.forName("org.bytedeco.ffmpeg.global.avcodec").getMethod("avcodec_version").invoke(null);
        System.out.println("avcodec_version: " + (avcodec >> 16) + "." + ((avcodec >> 8) & 0xff) + "." + (avcodec & 0xff));
        Class<?> ort = Class.forName("ai.onnxruntime.OrtEnvironment");
        ort.getMethod("getEnvironment").invoke(null);
        System.out.println("onnxruntime: environment created, providers "
                + ort.getMethod("getAvailableProviders").invoke(null));
        System.out.println("NATIVE-SMOKE-OK");
    }
}
