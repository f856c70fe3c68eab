package io.modtcp.tck;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One behaviour of the kit: the method runs once per implementation (a {@link Tck} parameter gives the one under test)
 * and its outcome fills one row of the compatibility matrix. The value is the row's text; without one, the method name
 * is turned into words.
 *
 * <p>A behaviour must hold on the reference (the platform stack): one the platform does not guarantee is not a
 * behaviour of this kit. A behaviour that fails on a modtcp implementation is a modtcp bug.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(TckExtension.class)
public @interface Behaviour {
    String value() default "";
}
