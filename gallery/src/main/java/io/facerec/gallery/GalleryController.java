package io.facerec.gallery;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.persistence.PersonRepository.PersonSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
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

/** The gallery's REST API (described in {@code /openapi.yaml}). Thin: every call is one {@link GalleryService} call. */
@RestController
@RequestMapping("/api")
public class GalleryController {
    private final GalleryService gallery;

    public GalleryController(GalleryService gallery) {
        this.gallery = gallery;
    }

    public record NameRequest(String name) {
    }

    public record HiddenRequest(boolean hidden) {
    }

    public record MergeRequest(List<Long> from) {
    }

    public record MoveRequest(List<Long> faceIds, Long personId) {
    }

    /** Most items one page returns. */
    static final int MAX_PAGE = 1000;

    /**
     * A page of persons, largest first; {@code q} filters by name. The total is in {@code X-Total-Count}.
     */
    @GetMapping("/persons")
    public ResponseEntity<List<PersonSummary>> persons(@RequestParam(defaultValue = "false") boolean hidden,
            @RequestParam(required = false) String q, @RequestParam(defaultValue = "0") int offset,
            @RequestParam(defaultValue = "200") int limit) {
        GalleryService.Page<PersonSummary> page = gallery.persons(hidden, q, checkOffset(offset), checkLimit(limit));
        return ResponseEntity.ok().header(TOTAL, Long.toString(page.total())).body(page.items());
    }

    /** A person and a page of its faces ({@code offset}, {@code limit}); the person's face count is in the summary. */
    @GetMapping("/persons/{id}")
    public GalleryService.PersonView person(@PathVariable long id, @RequestParam(defaultValue = "0") int offset,
            @RequestParam(defaultValue = "500") int limit) {
        return gallery.person(id, checkOffset(offset), checkLimit(limit));
    }

    /** The response header holding a paged list's total. */
    static final String TOTAL = "X-Total-Count";

    static int checkOffset(int offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be 0 or more");
        }
        return offset;
    }

    static int checkLimit(int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE);
        }
        return limit;
    }

    @GetMapping("/persons/{id}/suggestions")
    public List<GalleryService.Suggestion> suggestions(@PathVariable long id, @RequestParam(defaultValue = "5") int limit) {
        return gallery.suggestions(id, Math.min(checkLimit(limit), 100));
    }

    @PutMapping("/persons/{id}/name")
    public GalleryService.PersonView rename(@PathVariable long id, @RequestBody NameRequest body) {
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
        gallery.merge(id, body.from() == null ? List.of() : body.from());
        return gallery.person(id, 0, 1);
    }

    /** A page of the unassigned faces, in id order; the total is in {@code X-Total-Count}. */
    @GetMapping("/faces/unassigned")
    public ResponseEntity<List<GalleryService.FaceView>> unassigned(@RequestParam(defaultValue = "0") int offset,
            @RequestParam(defaultValue = "500") int limit) {
        GalleryService.Page<GalleryService.FaceView> page = gallery.unassigned(checkOffset(offset), checkLimit(limit));
        return ResponseEntity.ok().header(TOTAL, Long.toString(page.total())).body(page.items());
    }

    @GetMapping("/faces/{id}")
    public GalleryService.FaceView face(@PathVariable long id) {
        return gallery.face(id);
    }

    @PostMapping("/faces/move")
    public Map<String, Object> move(@RequestBody MoveRequest body) {
        long person = gallery.move(body.faceIds() == null ? List.of() : body.faceIds(), body.personId());
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
    public ResponseEntity<Resource> photo(@PathVariable long id) {
        byte[] frame = gallery.videoFrameJpeg(id);
        if (frame != null) { // a face of a video: the frame it was found in
            return ResponseEntity.ok().contentType(MediaType.IMAGE_JPEG).cacheControl(CacheControl.noCache())
                    .body(new org.springframework.core.io.ByteArrayResource(frame));
        }
        return image(gallery.photo(id));
    }

    private static ResponseEntity<Resource> image(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return ResponseEntity.notFound().build();
        }
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        MediaType type = n.endsWith(".png") ? MediaType.IMAGE_PNG : n.endsWith(".gif") ? MediaType.IMAGE_GIF
                : n.endsWith(".webp") ? MediaType.parseMediaType("image/webp")
                : n.endsWith(".bmp") ? MediaType.parseMediaType("image/bmp") : MediaType.IMAGE_JPEG;
        return ResponseEntity.ok().contentType(type).cacheControl(CacheControl.noCache()).body(new FileSystemResource(file));
    }

    @ExceptionHandler(NoSuchElementException.class)
    public ResponseEntity<Map<String, String>> notFound(NoSuchElementException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler({IllegalArgumentException.class, PermanentProcessingException.class})
    public ResponseEntity<Map<String, String>> badRequest(RuntimeException e) {
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", e.getMessage()));
    }
}
