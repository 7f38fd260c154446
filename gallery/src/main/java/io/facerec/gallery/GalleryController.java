package io.facerec.gallery;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.persistence.PersonRepository.PersonSummary;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The gallery's REST API (described in {@code /openapi.yaml}). Thin: every call is one {@link GalleryService} call,
 * after the request's size is checked against {@link GalleryLimits}. Error bodies never name files or folders.
 */
@RestController
@RequestMapping("/api")
public class GalleryController {
    private static final Logger log = LoggerFactory.getLogger(GalleryController.class);

    private final GalleryService gallery;
    private final GalleryLimits limits;

    public GalleryController(GalleryService gallery, GalleryLimits limits) {
        this.gallery = gallery;
        this.limits = limits;
    }

    private List<Long> ids(List<Long> ids, String what) {
        List<Long> list = ids == null ? List.of() : ids;
        if (list.size() > limits.maxIds()) {
            throw new IllegalArgumentException(
                    "at most " + limits.maxIds() + " " + what + " per request, not " + list.size());
        }
        if (list.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("an id is missing in " + what);
        }
        return list;
    }

    public record NameRequest(String name) {}

    public record HiddenRequest(boolean hidden) {}

    public record MergeRequest(List<Long> from) {}

    public record MoveRequest(List<Long> faceIds, Long personId) {}

    /** Most items one page returns. */
    static final int MAX_PAGE = 1000;

    /**
     * A page of persons, largest first; {@code q} filters by name. The total is in {@code X-Total-Count}.
     */
    @GetMapping("/persons")
    public ResponseEntity<List<PersonSummary>> persons(
            @RequestParam(defaultValue = "false") boolean hidden,
            @RequestParam(required = false) @Size(max = 200) String q,
            @RequestParam(defaultValue = "0") @Min(0) int offset,
            @RequestParam(defaultValue = "200") @Min(1) @Max(MAX_PAGE) int limit) {
        GalleryService.Page<PersonSummary> page = gallery.persons(hidden, q, offset, limit);
        return ResponseEntity.ok().header(TOTAL, Long.toString(page.total())).body(page.items());
    }

    /** A person and a page of its faces ({@code offset}, {@code limit}); the person's face count is in the summary. */
    @GetMapping("/persons/{id}")
    public GalleryService.PersonView person(
            @PathVariable long id,
            @RequestParam(defaultValue = "0") @Min(0) int offset,
            @RequestParam(defaultValue = "500") @Min(1) @Max(MAX_PAGE) int limit) {
        return gallery.person(id, offset, limit);
    }

    /** The response header holding a paged list's total. */
    static final String TOTAL = "X-Total-Count";

    @GetMapping("/persons/{id}/suggestions")
    public List<GalleryService.Suggestion> suggestions(
            @PathVariable long id, @RequestParam(defaultValue = "5") @Min(1) @Max(100) int limit) {
        return gallery.suggestions(id, limit);
    }

    @PutMapping("/persons/{id}/name")
    public GalleryService.PersonView rename(@PathVariable long id, @RequestBody NameRequest body) {
        if (body.name() != null && body.name().length() > limits.maxNameLength()) {
            throw new IllegalArgumentException("a name has at most " + limits.maxNameLength() + " characters");
        }
        gallery.rename(id, body.name());
        return gallery.person(id, 0, 1);
    }

    @PutMapping("/persons/{id}/hidden")
    public Map<String, Object> hide(@PathVariable long id, @RequestBody HiddenRequest body) {
        gallery.hide(id, body.hidden());
        return Map.of("id", id, "hidden", body.hidden());
    }

    @PostMapping("/persons/{id}/merge")
    public GalleryService.PersonView merge(@PathVariable long id, @RequestBody MergeRequest body) {
        gallery.merge(id, ids(body.from(), "persons to merge"));
        return gallery.person(id, 0, 1);
    }

    /** A page of the unassigned faces, in id order; the total is in {@code X-Total-Count}. */
    @GetMapping("/faces/unassigned")
    public ResponseEntity<List<GalleryService.FaceView>> unassigned(
            @RequestParam(defaultValue = "0") @Min(0) int offset,
            @RequestParam(defaultValue = "500") @Min(1) @Max(MAX_PAGE) int limit) {
        GalleryService.Page<GalleryService.FaceView> page = gallery.unassigned(offset, limit);
        return ResponseEntity.ok().header(TOTAL, Long.toString(page.total())).body(page.items());
    }

    @GetMapping("/faces/{id}")
    public GalleryService.FaceView face(@PathVariable long id) {
        return gallery.face(id);
    }

    @PostMapping("/faces/move")
    public Map<String, Object> move(@RequestBody MoveRequest body) {
        long person = gallery.move(ids(body.faceIds(), "faces to move"), body.personId());
        return Map.of("personId", person);
    }

    @PostMapping("/faces/{id}/not-this-person")
    public GalleryService.FaceView notThisPerson(@PathVariable long id) {
        gallery.notThisPerson(id);
        return gallery.face(id);
    }

    @PostMapping("/faces/{id}/confirm")
    public GalleryService.FaceView confirm(@PathVariable long id) {
        gallery.confirm(id);
        return gallery.face(id);
    }

    @GetMapping("/faces/{id}/thumbnail")
    public ResponseEntity<Resource> thumbnail(@PathVariable long id) {
        return image(gallery.thumbnail(id));
    }

    @GetMapping("/faces/{id}/photo")
    public ResponseEntity<?> photo(@PathVariable long id) {
        if (gallery.inVideo(id)) { // a face of a video: the frame it was found in, as the detector stored it
            Path frame = gallery.videoFrame(id);
            if (frame == null) {
                return ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .body(Map.of(
                                "error",
                                "the frame of this video face was not kept (detected before frames were stored): detect the "
                                        + "video again to see it"));
            }
            return image(frame);
        }
        return image(gallery.photo(id));
    }

    private static ResponseEntity<Resource> image(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return ResponseEntity.notFound().build();
        }
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        MediaType type = n.endsWith(".png")
                ? MediaType.IMAGE_PNG
                : n.endsWith(".gif")
                        ? MediaType.IMAGE_GIF
                        : n.endsWith(".webp")
                                ? MediaType.parseMediaType("image/webp")
                                : n.endsWith(".bmp") ? MediaType.parseMediaType("image/bmp") : MediaType.IMAGE_JPEG;
        return ResponseEntity.ok()
                .contentType(type)
                .cacheControl(CacheControl.noCache())
                .body(new FileSystemResource(file));
    }

    @ExceptionHandler(NoSuchElementException.class)
    public ResponseEntity<Map<String, String>> notFound(NoSuchElementException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    public ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException e) {
        String message = e instanceof InvalidPathException ? "invalid path" : e.getMessage();
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", String.valueOf(message)));
    }

    /**
     * A file that cannot be served: the kind only (the message names folders, e.g. the media root, and goes to the
     * log); a path outside its folder is 403, a missing file 404.
     */
    @ExceptionHandler(PermanentProcessingException.class)
    public ResponseEntity<Map<String, String>> unservable(PermanentProcessingException e) {
        log.warn("cannot serve a file: {}", e.getMessage());
        HttpStatus status = switch (e.errorKind()) {
            case "PATH_OUTSIDE_ROOT" -> HttpStatus.FORBIDDEN;
            case "FILE_MISSING" -> HttpStatus.NOT_FOUND;
            default -> HttpStatus.BAD_REQUEST;
        };
        String what = switch (e.errorKind()) {
            case "PATH_OUTSIDE_ROOT" -> "the stored path lies outside its folder";
            case "FILE_MISSING" -> "the file is missing";
            default -> "the stored path is not valid";
        };
        return ResponseEntity.status(status).body(Map.of("error", e.errorKind() + ": " + what));
    }
}
