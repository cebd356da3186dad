package dev.stackgan.trainer.service.store;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface EventRepository extends CrudRepository<EventRow, Long> {

    List<EventRow> findByRunIdOrderById(long runId);
}
